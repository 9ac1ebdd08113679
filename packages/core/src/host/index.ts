// public exports of host/ (filled in by its owner)
export {};
