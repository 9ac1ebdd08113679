// public exports of engine/ (filled in by its owner)
export {};
