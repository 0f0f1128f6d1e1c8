// Shared by index.html (the operator's page) and me.html (a user's page): shows a flowrra-client
// client's tasks in a table (#tasks), its state in #state and its errors in a list (#errors), both
// added at the end of the page. Text only, never HTML.
(function () {
  var FIELDS = ['task_name', 'status', 'retries', 'result', 'error'];
  var HEADINGS = ['Task', 'Status', 'Retries', 'Result', 'Error'];

  function addTable() {
    var table = document.createElement('table');
    table.id = 'tasks';
    var heading = table.createTHead().insertRow();
    HEADINGS.forEach(function (name) {
      heading.appendChild(document.createElement('th')).textContent = name;
    });
    table.createTBody();
    var errors = document.createElement('ul');
    errors.id = 'errors';
    document.body.append(table, errors);
  }

  function text(value) {
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }

  function showError(message) {
    var item = document.createElement('li');
    item.textContent = message;
    document.getElementById('errors').prepend(item);
  }

  function showTasks(client) {
    addTable();
    var rows = new Map();
    var tbody = document.querySelector('#tasks tbody');
    client.subscribe(function (event) {
      var task = event.task;
      var row = rows.get(task.task_id);
      if (event.type === 'task.delete') {
        if (row) row.remove();
        rows.delete(task.task_id);
        return;
      }
      if (!row) {
        row = tbody.insertRow(0);
        row.dataset.taskId = task.task_id;
        FIELDS.forEach(function (field) {
          row.insertCell().dataset.field = field;
        });
        rows.set(task.task_id, row);
      }
      row.dataset.status = task.status;
      FIELDS.forEach(function (field, i) {
        row.cells[i].textContent = text(task[field]);
      });
    });
    function showState(state) {
      document.getElementById('state').textContent = state;
    }
    client.on('state', showState);
    showState(client.state);
    client.on('error', function (error) {
      showError(error.kind + ': ' + error.message);
    });
  }

  // Each [data-submit] button POSTs to its path prefix + task name.
  function submitButtons(prefix) {
    document.querySelectorAll('[data-submit]').forEach(function (button) {
      button.addEventListener('click', function () {
        fetch(prefix + button.dataset.submit, { method: 'POST' }).then(function (response) {
          if (!response.ok) showError('submit: HTTP ' + response.status);
        }, function (error) {
          showError('submit: ' + error.message);
        });
      });
    });
  }

  window.TaskTable = { showTasks: showTasks, submitButtons: submitButtons };
})();
