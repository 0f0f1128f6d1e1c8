// A small server panel: open sockets, task events per second and subscriber errors, read every
// few seconds from the mount's stats route (GET {mount}/api/metrics: flowrra_live and the reference
// server answer it alike). Shared by the demo page and examples/flowrra-fastapi. textContent only.
// Markup: an element holding <output data-stat="sockets|rate|errors"> children.
(function () {
  'use strict';

  function total(events) {
    return events.local + events.remote;
  }

  window.startServerPanel = function (panel, options) {
    var url = options.url;
    var interval = options.interval || 2000;
    var headers = options.token ? { Authorization: 'Bearer ' + options.token } : {};
    var last = null;

    function show(name, value) {
      panel.querySelector('[data-stat="' + name + '"]').textContent = value;
    }

    function read() {
      fetch(url, { headers: headers, cache: 'no-store' })
        .then(function (response) {
          if (!response.ok) throw new Error('HTTP ' + response.status);
          return response.json();
        })
        .then(function (stats) {
          var now = performance.now();
          show('sockets', String(stats.sockets.flowrra + stats.sockets.live));
          // A rate needs two readings; a restarted server (a total going down) starts afresh.
          var rate = last && total(stats.events) >= last.events ? ((total(stats.events) - last.events) * 1000) / (now - last.at) : null;
          show('rate', rate === null ? '…' : rate.toFixed(1));
          show('errors', String(stats.subscriber_errors));
          panel.dataset.state = 'ok';
          last = { at: now, events: total(stats.events) };
        })
        .catch(function (error) {
          panel.dataset.state = 'unavailable';
          show('sockets', '–');
          show('rate', '–');
          show('errors', 'stats unavailable: ' + error.message);
          last = null;
        });
    }

    read();
    return setInterval(read, interval);
  };
})();
