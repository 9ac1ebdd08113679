#!/usr/bin/env node
// Server-side rendering as a framework does it (Next.js, Remix, Vite SSR): the app's module creates
// its group with the browser entry of meshraft at load time, and the server renders a component that
// reads it through @meshraft/react's hooks with react-dom/server. Prints one JSON line:
// { html, status, started } (started: the message the group's start rejected with).
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { createGroup } from 'meshraft';
import { GroupProvider, useCommitted, useOnline, useQuery } from '@meshraft/react';
import { Counter } from '../src/counter.mjs';

const [signaling] = process.argv.slice(2);
const group = createGroup({ key: 'consumer-server-render-key', signaling, stateMachine: new Counter() });

function Page() {
  const online = useOnline();
  const committed = useCommitted();
  const { data } = useQuery('total');
  return createElement('p', null, `online=${online} committed=${committed} value=${String(data)}`);
}

const html = renderToString(createElement(GroupProvider, { group }, createElement(Page)));
const started = await group.started.then(
  () => 'started',
  (error) => String(error?.message ?? error),
);
console.log(JSON.stringify({ html, status: { online: group.status.online, committed: group.status.committed }, started }));
await group.close();
