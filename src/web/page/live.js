// The page's server-sent event stream, shared by the lab page (app.js) and
// the class overview (overview.js): opens `events` and shows in `conn`
// whether it is live or being retried (EventSource reconnects by itself).
// eslint-disable-next-line no-unused-vars
function followEvents(conn) {
  const es = new EventSource('events');
  es.onopen = () => {
    conn.dataset.state = 'live';
    conn.textContent = 'live';
  };
  es.onerror = () => {
    conn.dataset.state = 'lost';
    conn.textContent = 'connection lost, retrying';
  };
  return es;
}
