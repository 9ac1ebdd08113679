// Entry: start this tab's peer, then render the board around it.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GroupProvider } from '@meshraft/react';
import { App } from './App';
import { connectedPeers, startBoardGroup } from './board-group';
import './styles.css';

const { group, key, signaling } = startBoardGroup();
const connections = () => connectedPeers(group);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GroupProvider group={group}>
      <App groupKey={key} signaling={signaling} started={group.started} connections={connections} />
    </GroupProvider>
  </StrictMode>,
);
