// Banners above the board: connecting, offline (no quorum), or the startup error.
import { useEffect, useState } from 'react';
import { useGroupStatus } from '@meshraft/react';
import type { GroupStatus } from 'meshraft';

const selectConnection = (s: GroupStatus) => ({ online: s.online, closed: s.closed });

/** Why this tab has no group: a refused option (createGroup throws) or a failed start. */
export function StartupErrorBanner({ error }: { error: { name: string; message: string } }) {
  return (
    <div className="banner banner-error" role="alert" data-testid="startup-error">
      This tab could not join the group: {error.message}.{' '}
      {error.name === 'WeakGroupKeyError' ? 'Use a longer key in the link (#k=…).' : 'Is the signaling server running?'}
    </div>
  );
}

export function ConnectionBanner({ started }: { started: Promise<void> }) {
  const { online, closed } = useGroupStatus(selectConnection);
  const [startupError, setStartupError] = useState<{ name: string; message: string } | null>(null);
  // "Connecting" until the first time this tab is online; "offline" after that.
  const [wasOnline, setWasOnline] = useState(false);
  useEffect(() => {
    if (online) setWasOnline(true);
  }, [online]);
  useEffect(() => {
    let current = true;
    started.catch((error: unknown) => {
      if (current) setStartupError(error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) });
    });
    return () => {
      current = false;
    };
  }, [started]);

  if (startupError) return <StartupErrorBanner error={startupError} />;
  if (closed) {
    return (
      <div className="banner banner-offline" data-testid="offline-banner" data-state="closed">
        This tab left the group. Reload to join again.
      </div>
    );
  }
  if (online) return null;
  if (!wasOnline) {
    return (
      <div className="banner banner-connecting" data-testid="offline-banner" data-state="connecting" role="status">
        <span className="spinner" aria-hidden="true" /> Joining the group…
      </div>
    );
  }
  return (
    <div className="banner banner-offline" data-testid="offline-banner" data-state="offline" role="alert">
      <strong>Offline:</strong> this tab cannot reach a majority of the group right now. Your edits are kept
      as pending and sent when the group is back.
    </div>
  );
}
