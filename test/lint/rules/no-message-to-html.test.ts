import { rule } from '../../../src/lint/rules/no-message-to-html.js';
import { js, ts } from '../support.js';

js.run('no-message-to-html', rule, {
  valid: [
    'ws.onmessage = (e) => { const m = JSON.parse(e.data); li.textContent = m.text; };',
    'ws.onmessage = (e) => { log.innerHTML = DOMPurify.sanitize(JSON.parse(e.data).html); };',
    "ws.addEventListener('message', (e) => { out.innerHTML = escapeHtml(e.data); });",
    // not derived from the message
    "ws.onmessage = () => { counter.innerHTML = '<b>new</b>'; };",
    // postMessage, not a WebSocket
    "window.addEventListener('message', (e) => { box.innerHTML = e.data; });",
    // a DOM click handler is not a message listener
    "button.addEventListener('click', (e) => { box.innerHTML = e.target.value; });",
    // the DOM's own append/before insert text, not HTML
    "ws.onmessage = (e) => { const m = JSON.parse(e.data); document.getElementById('log').append(m.text); li.before(m.text); };",
    // jQuery with text, or with markup not from the message
    "ws.onmessage = (e) => { const m = JSON.parse(e.data); $('#log').append($('<li>').text(m.text)); $('#count').append('<b>new</b>'); };",
    // an io() socket event rendered as text
    "const socket = io(); socket.on('news', (item) => { feed.textContent = item.title; });",
  ],
  invalid: [
    // Accepted false positive (documented): a field the server promises is sanitised HTML.
    { code: 'ws.onmessage = (e) => { article.innerHTML = JSON.parse(e.data).sanitizedHtml; };', errors: [{ messageId: 'html' }] },
    { code: 'ws.onmessage = (event) => { const msg = JSON.parse(event.data); log.innerHTML += `<li>${msg.text}</li>`; };', errors: [{ messageId: 'html', data: { sink: 'innerHTML' } }] },
    { code: "ws.addEventListener('message', ({ data }) => { el.insertAdjacentHTML('beforeend', data); });", errors: [{ messageId: 'html' }] },
    { code: 'socket.onmessage = function (e) { document.write(e.data); };', errors: [{ messageId: 'html' }] },
    // a sink reached from two nested message listeners is reported once
    { code: "a.on('message', (x) => { b.on('message', (y) => { out.innerHTML = x + y; }); });", errors: [{ messageId: 'html' }] },
    // the socket.io client loaded as a script (global io)
    { code: "const socket = io(); socket.on('news', (item) => { feed.innerHTML = item.title; });", errors: [{ messageId: 'html' }] },
    { code: "import { io } from 'socket.io-client'; const socket = io(); socket.on('chat', (msg) => { $('#log').html('<p>' + msg.text + '</p>'); });", errors: [{ messageId: 'html' }] },
    // jQuery insertion methods parse HTML strings built from the message
    { code: "ws.onmessage = (e) => { const msg = JSON.parse(e.data); $('#log').append('<li>' + msg.user + ': ' + msg.text + '</li>'); };", errors: [{ messageId: 'html', data: { sink: '.append()' } }] },
    { code: "socket.on('message', (data) => { const m = JSON.parse(data); $log.prepend(`<p>${m.text}</p>`); $('#last').replaceWith(`<div id=last>${m.text}</div>`); });", errors: [{ messageId: 'html', data: { sink: '.prepend()' } }, { messageId: 'html', data: { sink: '.replaceWith()' } }] },
    { code: "ws.addEventListener('message', ({ data }) => { jQuery('#a').before(data); this.$el.after('<i>' + data + '</i>'); });", errors: [{ messageId: 'html', data: { sink: '.before()' } }, { messageId: 'html', data: { sink: '.after()' } }] },
    { code: "ws.onmessage = (e) => { $('<li>' + JSON.parse(e.data).text + '</li>').appendTo('#log'); };", errors: [{ messageId: 'html', data: { sink: '$()' } }] },
    { code: "conn.on('message', (data) => { const items = JSON.parse(data).items; items.forEach((it) => { list.outerHTML = it.name; }); });", errors: [{ messageId: 'html' }] },
  ],
});

ts.run('no-message-to-html (TypeScript)', rule, {
  valid: [],
  invalid: [{ code: "ws.onmessage = (e: MessageEvent<string>) => { (document.getElementById('o') as HTMLElement).innerHTML = e.data as string; };", errors: [{ messageId: 'html' }] }],
});
