// public exports of storage-memory/ (filled in by its owner)
export {};
