// The consumer app's React page (Vite build): the hooks of the installed @meshraft/react render the
// group, and a button writes through useExecute. Plain createElement (no JSX), so the build needs
// no React plugin. consumer/run.mjs reads the rendered DOM (data-* attributes) and clicks the button;
// window.app (src/window-app.mjs) offers the same status/execute/query as src/main.js.
import { createElement as h } from 'react';
import { createRoot } from 'react-dom/client';
import { createGroup } from 'meshraft';
import { GroupProvider, useCommitted, useExecute, useGroupStatus, useLeader, useOnline, useQuery } from '@meshraft/react';
import { Counter } from './counter.mjs';
import { exposeApp } from './window-app.mjs';

const params = new URLSearchParams(location.search);
const group = createGroup({
  key: params.get('key') ?? 'consumer-app-default-key',
  signaling: params.get('signaling') ?? 'http://127.0.0.1:8787',
  stateMachine: new Counter(),
});

/** Everything a user would draw: who leads, whether this tab is online, the total (weak and strong). */
function Board() {
  const online = useOnline();
  const leader = useLeader();
  const committed = useCommitted();
  const peerId = useGroupStatus((s) => s.peerId);
  const { data: total } = useQuery('total');
  const { data: strongTotal } = useQuery('total', { consistency: 'strong' });
  const { execute, pending, error, lastResult } = useExecute();
  return h(
    'main',
    {
      id: 'board',
      'data-online': String(online),
      'data-leader': leader ?? '',
      'data-peer': peerId ?? '',
      'data-committed': String(committed),
      'data-total': total === undefined ? '' : String(total),
      'data-strong-total': strongTotal === undefined ? '' : String(strongTotal),
      'data-last-index': lastResult ? String(lastResult.end) : '',
      'data-last-result': lastResult ? String(lastResult.results[0]) : '',
      'data-error': error ? `${error.name}: ${error.message}` : '',
    },
    h('p', null, online ? `online, leader ${leader}` : 'offline'),
    h('p', null, `total ${total ?? '…'} (strong ${strongTotal ?? '…'})`),
    h('button', { id: 'add', disabled: pending > 0, onClick: () => execute({ add: Number(params.get('add') ?? 1) }).catch(() => {}) }, 'add'),
  );
}

createRoot(document.getElementById('root')).render(h(GroupProvider, { group }, h(Board)));

exposeApp(group);
