// What every page of the consumer app offers consumer/run.mjs on `window.app` (lib/peers.mjs drives
// it): the group's start, status and operations; a page adds its own functions through `extra`.
export function exposeApp(group, extra = {}) {
  window.app = {
    error: null,
    /** Resolves once the group started; rejects with the startup error. */
    started: () => group.started.then(() => true),
    status: () => JSON.parse(JSON.stringify(group.status)),
    execute: async (add) => (await group.execute({ add })).index,
    query: async (what, consistency) => {
      const { result, position } = await group.query(what, consistency);
      return { result, position };
    },
    close: () => group.close(),
    ...extra,
  };
  group.started.catch((error) => (window.app.error = `${error.name}: ${error.message}`));
}
