// public exports of codec/ (filled in by its owner)
export {};
