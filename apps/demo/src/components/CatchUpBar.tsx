// A progress bar while this tab catches up on the log (or a snapshot) from its peers.
import { useCatchUp } from '@meshraft/react';

export function CatchUpBar() {
  const catchUp = useCatchUp();
  if (!catchUp) return null;
  const percent = Math.round(Math.min(1, Math.max(0, catchUp.fraction)) * 100);
  const what = catchUp.phase === 'snapshot' ? 'snapshot' : `entries ${catchUp.from}–${catchUp.to}`;
  return (
    <div className="catch-up" data-testid="catch-up" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="catch-up-label">
        Catching up: {what}, {percent}% from {catchUp.peersUsed} {catchUp.peersUsed === 1 ? 'peer' : 'peers'}
      </div>
      <div className="catch-up-track">
        <div className="catch-up-fill" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}
