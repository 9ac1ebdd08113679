// public exports of catchup/ (filled in by its owner)
export {};
