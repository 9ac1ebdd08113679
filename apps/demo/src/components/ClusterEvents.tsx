// The cluster panel's feed of departures, joins, promotions and leader changes as this tab sees
// them happen (membership-events.ts), oldest first, like a log.
import { useEffect, useRef, useState } from 'react';
import { useGroupStatus } from '@meshraft/react';
import { clusterEvents, clusterView, describeClusterEvent, type ClusterEvent, type ClusterView } from './membership-events';

/** The feed keeps this many events (the latest). */
const MAX_EVENTS = 12;

function useClusterEvents(): ClusterEvent[] {
  const status = useGroupStatus();
  const previous = useRef<ClusterView | null>(null);
  const [events, setEvents] = useState<ClusterEvent[]>([]);
  useEffect(() => {
    const view = clusterView(status);
    const fresh = clusterEvents(previous.current, view, Date.now());
    previous.current = view;
    if (fresh.length > 0) setEvents((old) => [...old, ...fresh].slice(-MAX_EVENTS));
  }, [status]);
  return events;
}

const timeOf = (at: number) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function ClusterEvents() {
  const events = useClusterEvents();
  return (
    <section className="cluster-events" data-testid="cluster-events">
      <h3>Events</h3>
      {events.length === 0 ? (
        <p className="muted">Tabs joining, leaving and leader changes show here.</p>
      ) : (
        <ol>
          {events.map((event, i) => (
            <li key={`${event.at}-${i}-${event.kind}-${event.peer}`} data-testid="cluster-event" data-kind={event.kind} data-peer={event.peer}>
              <time>{timeOf(event.at)}</time> <span className={`event event-${event.kind}`}>{describeClusterEvent(event)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
