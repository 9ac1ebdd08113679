// Entry: start this tab's peer, then render the board around it.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GroupProvider } from '@meshraft/react';
import { App, StartupFailure } from './App';
import { connectedPeers, startBoardGroup } from './board-group';
import { groupKey, signalingUrl } from './settings';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const { group, key, signaling } = startBoardGroup();
  const connections = () => connectedPeers(group);
  root.render(
    <StrictMode>
      <GroupProvider group={group}>
        <App groupKey={key} signaling={signaling} started={group.started} connections={connections} />
      </GroupProvider>
    </StrictMode>,
  );
} catch (error) {
  // createGroup refuses bad settings synchronously (a weak key from the link): say why on the page.
  root.render(<StartupFailure groupKey={groupKey()} signaling={signalingUrl()} error={error} />);
}
