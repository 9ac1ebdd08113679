// Module worker for the 'works inside a module Web Worker' case: opens IdbStorage on the database
// it is told, writes a log and a hard state, closes, and reports what it saw.
import { openIdbStorage } from '@meshraft/idb';
import { commandEntries } from './idb-cases';

self.onmessage = async (event: MessageEvent<{ dbName: string }>) => {
  try {
    const storage = await openIdbStorage({ peerId: 'worker', dbName: event.data.dbName });
    await storage.persist({ entries: commandEntries(1, 20, 3), hardState: { term: 3, vote: 'w', commit: 20 } });
    const last = await storage.last();
    await storage.close();
    self.postMessage({ ok: true, last });
  } catch (error) {
    self.postMessage({ ok: false, error: String(error) });
  }
};
