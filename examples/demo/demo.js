// The demo page: one task client, a table kept in step with it, and buttons that poke the
// reference server. Task data is untrusted, so it only ever reaches the page as textContent.
(function () {
  'use strict';

  var MAX_ROWS = 50;
  var MAX_ERRORS = 20;
  var MAX_DEBUG_LINES = 60;
  var FIELDS = ['status', 'task_name', 'retries', 'started_at', 'duration', 'source', 'task_id', 'error'];

  var tbody = document.querySelector('#tasks tbody');
  var empty = document.getElementById('empty');
  var badge = document.getElementById('state');
  var errors = document.getElementById('errors');
  var debugLog = document.getElementById('debug');
  var refuseButton = document.getElementById('refuse');
  var rows = new Map(); // task_id -> <tr>

  // A server started with --token needs it on the page too: open the page with ?token=SECRET.
  var params = new URLSearchParams(location.search);
  var token = params.get('token') || undefined;

  // Newest first, and bounded: a page left open for a day must not grow without end.
  function prependLine(list, max, text) {
    var item = document.createElement('li');
    item.textContent = text;
    list.prepend(item);
    while (list.children.length > max) list.lastElementChild.remove();
    return item;
  }

  // With milliseconds: the reconnect waits in the debug log are shorter than a second.
  function clock(at) {
    var date = new Date(at);
    return date.toLocaleTimeString() + '.' + String(date.getMilliseconds()).padStart(3, '0');
  }

  function logError(text) {
    prependLine(errors, MAX_ERRORS, clock(Date.now()) + '  ' + text);
  }

  // The client's debug option: what it tried, what it saw, and what it does next, one line each.
  // A socket that closes without having opened (an upgrade refused, a server down) is no `error`
  // event until the retries run out, so its close, with the wait before the next try, goes to the
  // Errors panel too.
  var opened = false;
  function logDebug(entry) {
    prependLine(debugLog, MAX_DEBUG_LINES, clock(entry.at) + '  ' + entry.message).dataset.event = entry.event;
    if (entry.event === 'connect') opened = false;
    if (entry.event === 'open') opened = true;
    if (entry.event === 'close' && !opened && entry.noRetry !== 'client') logError('socket did not open: ' + entry.message);
  }

  if (typeof FlowrraClient === 'undefined') {
    logError('flowrra-client.min.js did not load: run `npm run build` and start the server with --dist dist.');
    return;
  }

  // Flowrra stamps are naive local times with microseconds; Date reads the first three digits.
  function parseStamp(stamp) {
    return stamp ? new Date(stamp.slice(0, 23)) : null;
  }

  function duration(task) {
    var started = parseStamp(task.started_at);
    var finished = parseStamp(task.finished_at);
    if (!started || !finished) return task.status === 'running' ? 'running…' : '';
    var ms = finished - started;
    return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  function cellText(field, task, source) {
    switch (field) {
      case 'started_at': {
        var started = parseStamp(task.started_at);
        return started ? started.toLocaleTimeString() : '';
      }
      case 'duration':
        return duration(task);
      case 'source':
        return source;
      case 'task_id':
        return task.task_id.slice(0, 8);
      case 'task_name':
        return task.task_name == null ? '(unnamed)' : String(task.task_name);
      case 'error':
        return task.error == null ? '' : String(task.error);
      default:
        return String(task[field]);
    }
  }

  function createRow(taskId) {
    var row = document.createElement('tr');
    row.dataset.taskId = taskId;
    FIELDS.forEach(function (field) {
      var cell = document.createElement('td');
      cell.dataset.field = field;
      row.appendChild(cell);
    });
    rows.set(taskId, row);
    return row;
  }

  // In the order of the Started column, latest first; tasks not started yet above them all, newest
  // submission first. ('~' sorts after every digit.)
  function sortKey(task) {
    return task.started_at || '~' + (task.submitted_at || '');
  }

  function place(row, task) {
    var key = sortKey(task);
    row.dataset.sortKey = key;
    var before = null;
    for (var other = tbody.firstElementChild; other; other = other.nextElementSibling) {
      if (other !== row && (other.dataset.sortKey || '') < key) {
        before = other;
        break;
      }
    }
    tbody.insertBefore(row, before);
    while (tbody.children.length > MAX_ROWS) {
      var last = tbody.lastElementChild;
      rows.delete(last.dataset.taskId);
      last.remove();
    }
  }

  function render(event) {
    var task = event.task;
    var row = rows.get(task.task_id);
    if (event.type === 'task.delete') {
      if (row) row.remove();
      rows.delete(task.task_id);
    } else {
      var isNew = !row;
      row = row || createRow(task.task_id);
      row.dataset.status = task.status;
      FIELDS.forEach(function (field, i) {
        row.children[i].textContent = cellText(field, task, event.source);
      });
      if (isNew || row.dataset.sortKey !== sortKey(task)) place(row, task);
    }
    empty.hidden = tbody.children.length > 0;
  }

  // ?poll= and ?retry= (ms) shorten the polling interval and the reconnect waits, to try the fallback.
  var client = FlowrraClient.createTaskClient({
    url: '/flowrra',
    pollInterval: Number(params.get('poll')) || 3000,
    reconnect: { maxDelay: Number(params.get('retry')) || undefined },
    token: token,
    debug: logDebug,
  });

  client.subscribe(render);
  // The server's own figures (docs/monitoring.md), with the page's token as the operator's.
  window.startServerPanel(document.getElementById('server'), { url: '/flowrra/api/metrics', token: token });
  client.on('state', function (state) {
    badge.textContent = state;
    badge.dataset.state = state;
  });
  client.on('error', function (error) {
    logError(error.kind + ': ' + error.message);
  });
  badge.textContent = client.state;
  badge.dataset.state = client.state;

  function post(path, body) {
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    return fetch('/flowrra/api/' + path, { method: 'POST', headers: headers, body: JSON.stringify(body || {}) })
      .then(function (response) {
        if (!response.ok) throw new Error(path + ' answered ' + response.status);
        return response.json();
      })
      .catch(function (error) {
        logError(error.message);
      });
  }

  document.getElementById('submit-task').addEventListener('click', function () {
    post('tasks', { name: 'demo_task', duration_ms: 500 + Math.floor(Math.random() * 2500), args: [rows.size] });
  });

  document.getElementById('submit-failing').addEventListener('click', function () {
    post('tasks', { name: 'flaky_task', duration_ms: 800, fail: true, max_retries: 2, error: 'Simulated failure' });
  });

  document.getElementById('drop').addEventListener('click', function () {
    post('demo/drop');
  });

  refuseButton.addEventListener('click', function () {
    var on = refuseButton.getAttribute('aria-pressed') !== 'true';
    post('demo/refuse', { on: on }).then(function (answer) {
      if (answer) refuseButton.setAttribute('aria-pressed', String(answer.refusing));
    });
  });
})();
