// Live updates of the home screen: the one place that knows how the kiosk hears of a change.
//
// The kiosk holds the localItemsChanged subscription (graphql-transport-ws on /graphql) and reads
// LocalItems again (GET with If-None-Match) when it announces a change, plus every SAFETY_MS in case
// an announcement was missed. While the socket is refused or down it polls about once a second (the
// server answers 304 while nothing changed), and tries the socket again with a growing pause.
//
//   onItems(data, at)   a new answer of LocalItems (also the kept one, once, when offline)
//   onStatus(online, at) whether the API answered; `at` is when the shown content was fetched

export const POLL_MS = 1000;

export function pollLocalItems(api, variables, { onItems, onStatus, interval = POLL_MS }) {
  let stopped = false;
  let timer = null;
  let wasOnline = null;

  async function tick() {
    if (stopped) return;
    try {
      const result = await api.query("LocalItems", variables);
      if (stopped) return;
      // The first answer is always shown, even a 304 for the copy kept from before a reload.
      if (result.changed || wasOnline === null || (result.stale && wasOnline)) onItems(result.data, result.at);
      wasOnline = !result.stale;
      onStatus(!result.stale, result.at);
    } catch (error) {
      if (stopped) return;
      wasOnline = false;
      onStatus(false, null, error);
    }
    if (!stopped) timer = setTimeout(tick, interval);
  }

  tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

export const SAFETY_MS = 30000;
// clients/kiosk/LocalItemsChanged.graphql, a trusted document (the text must stay the same).
const SUBSCRIPTION = `subscription KioskLocalItemsChanged($unitCode: String!) {
  localItemsChanged(unitCode: $unitCode) { unitCode }
}
`;

// One graphql-transport-ws subscription: onEvent at each `next`, onDown when the socket closes.
export function subscribeLocalItems(token, unitCode, { onUp, onEvent, onDown }) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
  let closed = false;
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
  };
  socket.onmessage = (message) => {
    let frame;
    try {
      frame = JSON.parse(message.data);
    } catch {
      return;
    }
    if (frame.type === "connection_ack") {
      socket.send(
        JSON.stringify({ id: "local", type: "subscribe", payload: { query: SUBSCRIPTION, variables: { unitCode } } }),
      );
      onUp();
    } else if (frame.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (frame.type === "next" && frame.id === "local") {
      onEvent();
    } else if ((frame.type === "error" || frame.type === "complete") && frame.id === "local") {
      socket.close();
    }
  };
  socket.onclose = (event) => {
    if (closed) return;
    closed = true;
    onDown(event.code);
  };
  socket.onerror = () => socket.close();
  return () => {
    closed = true;
    socket.close();
  };
}

export function watchLocalItems(api, variables, callbacks, { subscribe = subscribeLocalItems } = {}) {
  let stopped = false;
  let stopPolling = pollLocalItems(api, variables, callbacks);
  let stopSocket = null;
  let retry = 1000;
  let retryTimer = null;

  const poll = (interval) => {
    stopPolling();
    stopPolling = pollLocalItems(api, variables, { ...callbacks, interval });
  };

  const connect = () => {
    if (stopped || typeof WebSocket === "undefined") return;
    stopSocket = subscribe(api.token, variables.unitCode, {
      onUp: () => {
        retry = 1000;
        document.documentElement.dataset.live = "subscription";
        poll(SAFETY_MS); // reads now, then only as a safety net
      },
      onEvent: () => poll(SAFETY_MS),
      onDown: (code) => {
        stopSocket = null;
        if (stopped) return;
        document.documentElement.dataset.live = "polling";
        poll(POLL_MS);
        if (code === 4401) return; // the device was revoked: polling shows the refusal
        retryTimer = setTimeout(connect, retry);
        retry = Math.min(retry * 2, 60000);
      },
    });
  };

  connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    stopPolling();
    if (stopSocket) stopSocket();
  };
}
