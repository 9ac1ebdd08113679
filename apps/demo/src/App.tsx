// The page: header with the "open more tabs" hint, connection banners, the board and the cluster panel.
import { BoardView } from './components/BoardView';
import { CatchUpBar } from './components/CatchUpBar';
import { ClusterPanel } from './components/ClusterPanel';
import { ConnectionBanner, StartupErrorBanner } from './components/ConnectionBanner';

export interface AppProps {
  groupKey: string;
  signaling: string;
  /** Resolves once this tab joined the room and its engine runs; rejects with the startup error. */
  started: Promise<void>;
  /** Peers this tab is connected to (for the cluster panel's online column). */
  connections?: () => Promise<string[]>;
}

export function App({ groupKey, signaling, started, connections }: AppProps) {
  return (
    <div className="app">
      <AppHeader groupKey={groupKey} signaling={signaling} />
      <ConnectionBanner started={started} />
      <CatchUpBar />
      <main className="layout">
        <BoardView />
        <ClusterPanel connections={connections} />
      </main>
    </div>
  );
}

/** The page when createGroup refused this tab's settings (e.g. a key from the link that is too short). */
export function StartupFailure({ groupKey, signaling, error }: { groupKey: string; signaling: string; error: unknown }) {
  const shown = error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
  return (
    <div className="app">
      <AppHeader groupKey={groupKey} signaling={signaling} />
      <StartupErrorBanner error={shown} />
    </div>
  );
}

function AppHeader({ groupKey, signaling }: { groupKey: string; signaling: string }) {
  return (
    <header className="app-header">
      <div>
        <h1>
          meshraft <span className="subtitle">shared task board</span>
        </h1>
        <p className="hint" data-testid="hint">
          Open this page in more tabs: every tab is a peer of one Raft group, and the board is its
          replicated state. Close the leader's tab and watch another take over.
        </p>
      </div>
      <dl className="connection-info">
        <dt>group key</dt>
        <dd data-testid="group-key">{groupKey}</dd>
        <dt>signaling</dt>
        <dd>{signaling}</dd>
      </dl>
    </header>
  );
}
