// The chat page: picks a virtual user, streams their chat (Server-Sent Events), and turns
// every tap, pick and keystroke into a call of the emulator's chat API, which sends the bot
// the webhook event the LINE app would.

import { renderBotMessage, renderUserMessage } from './messages.js';

const $ = (selector) => document.querySelector(selector);

const state = {
  info: { botName: 'LINE' },
  users: [],
  /** The selected user's status: friendship and rich menu (see router.ts statusOf). */
  status: null,
  events: null,
  lastSeq: 0,
  /** The last entry rendered, to decide whether quick replies show. */
  lastEntry: null,
  /** 'keyboard' shows the text box; 'menu' shows the rich menu bar (LINE's two modes). */
  mode: 'keyboard',
  menuOpen: false,
  /** Whether the chat is scrolled to its end, where it stays as messages arrive and the bottom changes. */
  pinned: true,
};

// ------------------------------------------------------------------ API

class ApiError extends Error {}

async function call(method, path, body, contentType = 'application/json') {
  const response = await fetch(`/emulator/api${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : body,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(data.detail ? `${data.title}: ${data.detail}` : data.title ?? `HTTP ${response.status}`);
  return data;
}

/** Runs an API call, showing a failure as a toast instead of throwing. */
async function attempt(work) {
  try {
    return await work();
  } catch (error) {
    toast(error.message);
    return undefined;
  }
}

const userPath = () => `/users/${encodeURIComponent(state.status.userId)}`;

// ------------------------------------------------------------------ users

async function loadUsers() {
  state.users = (await call('GET', '/users')).users;
  renderUserList();
}

function renderUserList() {
  const list = $('#user-list');
  list.replaceChildren();
  for (const user of state.users) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'user-item';
    if (user.userId === state.status?.userId) button.classList.add('user-item--selected');
    button.dataset.userId = user.userId;
    const avatar = document.createElement('span');
    avatar.className = 'avatar';
    avatar.style.backgroundColor = colourFor(user.userId);
    avatar.textContent = [...user.displayName][0] ?? '?';
    const name = document.createElement('span');
    name.className = 'user-item__name';
    name.textContent = user.displayName;
    const friendship = document.createElement('span');
    friendship.className = 'user-item__state';
    friendship.textContent = friendshipLabel(user);
    name.append(friendship);
    button.append(avatar, name);
    button.addEventListener('click', () => selectUser(user.userId));
    item.append(button);
    list.append(item);
  }
}

function friendshipLabel(user) {
  if (user.blocked) return 'blocked';
  return user.friend ? 'friend' : 'not a friend';
}

const AVATAR_COLOURS = ['#e57373', '#f0a04b', '#c9b037', '#66bb6a', '#26a69a', '#42a5f5', '#7e57c2', '#ec6fa6'];

function colourFor(userId) {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return AVATAR_COLOURS[hash % AVATAR_COLOURS.length];
}

async function createUser(displayName) {
  const user = await call('POST', '/users', displayName ? { displayName } : {});
  await loadUsers();
  selectUser(user.userId);
}

function selectUser(userId) {
  const user = state.users.find((candidate) => candidate.userId === userId);
  if (!user) return;
  const url = new URL(location.href);
  url.searchParams.set('user', userId);
  history.replaceState(null, '', url);

  state.events?.close();
  state.status = { ...user, richMenu: undefined };
  state.lastSeq = 0;
  state.lastEntry = null;
  $('#chat').replaceChildren();
  $('#quick-replies').hidden = true;
  applyStatus(user);
  renderUserList();

  const events = new EventSource(`/emulator/api/events?userId=${encodeURIComponent(userId)}`);
  events.addEventListener('entry', (event) => addEntry(JSON.parse(event.data)));
  events.addEventListener('status', (event) => applyStatus(JSON.parse(event.data)));
  state.events = events;
}

/** Friendship and rich menu of the selected user changed (or were loaded). */
function applyStatus(status) {
  const previousMenu = state.status?.richMenu;
  state.status = { ...state.status, ...status };
  const index = state.users.findIndex((user) => user.userId === status.userId);
  if (index >= 0 && (state.users[index].friend !== status.friend || state.users[index].blocked !== status.blocked)) {
    state.users[index] = { ...state.users[index], friend: status.friend, blocked: status.blocked };
    renderUserList();
  }

  $('#user-panel').hidden = false;
  $('#user-name').textContent = status.displayName;
  $('#user-id').textContent = status.userId;
  $('#user-state').textContent = friendshipLabel(status);
  $('#follow-button').textContent = status.friend ? 'Block (unfollow)' : status.blocked ? 'Unblock' : 'Add friend';
  $('#add-friend-banner').hidden = status.friend || status.blocked;

  if ('richMenu' in status && status.richMenu?.richMenuId !== previousMenu?.richMenuId) showRichMenu(status.richMenu);
  else renderBottom();
}

// ------------------------------------------------------------------ the chat

function addEntry(entry) {
  if (entry.seq <= state.lastSeq) return; // a reconnect resent it
  state.lastSeq = entry.seq;
  state.lastEntry = entry;
  $('#empty-state')?.remove();
  const chat = $('#chat');
  const time = new Date(entry.at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });

  if (entry.from === 'system') {
    const note = document.createElement('div');
    note.className = 'msg-system';
    note.textContent = entry.text;
    chat.append(note);
  } else if (entry.from === 'user') {
    chat.append(messageRow('user', renderUserMessage(entry.message), { time, read: true }));
  } else {
    entry.messages.forEach((message, i) => {
      const content = renderBotMessage(message, { onTap: (action) => tap(action, { action }) });
      chat.append(messageRow('bot', content, { avatar: i === 0, time: i === entry.messages.length - 1 ? time : undefined }));
    });
  }
  renderQuickReplies();
  state.pinned = true;
  scrollToEnd();
  // Pictures load later; keep the newest message in view once they have.
  for (const img of chat.querySelectorAll('img:not([data-watched])')) {
    img.dataset.watched = '1';
    img.addEventListener('load', scrollToEnd, { once: true });
  }
}

function scrollToEnd() {
  if (!state.pinned) return;
  const chat = $('#chat');
  chat.scrollTop = chat.scrollHeight;
}

function messageRow(from, content, { avatar = false, time, read = false }) {
  const row = document.createElement('div');
  row.className = `msg msg--${from}`;
  if (from === 'bot') {
    const icon = document.createElement('span');
    icon.className = avatar ? 'avatar avatar--bot' : 'avatar avatar--spacer';
    if (avatar) icon.textContent = [...state.info.botName][0] ?? '';
    row.append(icon);
  }
  const body = document.createElement('div');
  body.className = 'msg__body';
  if (avatar) row.classList.add('msg--first');
  body.append(content);
  row.append(body);
  if (time) {
    const meta = document.createElement('span');
    meta.className = 'msg__meta';
    meta.innerHTML = read ? `<span>Read</span>` : '';
    meta.append(document.createTextNode(time));
    row.append(meta);
  }
  return row;
}

/** Quick replies show under the last message while it is the bot's; LINE hides them after any reply. */
function renderQuickReplies() {
  const bar = $('#quick-replies');
  const entry = state.lastEntry;
  const items = entry?.from === 'bot' ? (entry.messages.at(-1)?.quickReply?.items ?? []) : [];
  bar.replaceChildren();
  for (const item of items) {
    if (!item.action) continue;
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'quick-reply';
    if (item.imageUrl) {
      const icon = document.createElement('img');
      icon.src = item.imageUrl;
      icon.alt = '';
      icon.addEventListener('error', () => icon.remove(), { once: true });
      button.append(icon);
    }
    button.append(document.createTextNode(item.action.label ?? ''));
    button.addEventListener('click', () => tap(item.action, { action: item.action }));
    bar.append(button);
  }
  bar.hidden = bar.childElementCount === 0;
}

// ------------------------------------------------------------------ the bottom: text box, rich menu, blocked bar

function showRichMenu(menu) {
  state.status.richMenu = menu;
  const image = $('#richmenu-image');
  const areas = $('#richmenu-areas');
  areas.replaceChildren();
  if (menu) {
    image.src = menu.imageUrl ?? '';
    image.style.aspectRatio = `${menu.size.width} / ${menu.size.height}`;
    $('#chatbar-text').textContent = `${menu.chatBarText} ▾`;
    for (const area of menu.areas) {
      const hit = document.createElement('button');
      hit.type = 'button';
      hit.className = 'richmenu__area';
      // Percentages scale the areas with the image, whatever width it is shown at.
      Object.assign(hit.style, {
        left: `${(area.bounds.x / menu.size.width) * 100}%`,
        top: `${(area.bounds.y / menu.size.height) * 100}%`,
        width: `${(area.bounds.width / menu.size.width) * 100}%`,
        height: `${(area.bounds.height / menu.size.height) * 100}%`,
      });
      hit.title = area.label;
      hit.setAttribute('aria-label', area.label || `Area ${area.index}`);
      hit.addEventListener('click', () => tap(area.action, { area: area.index }));
      areas.append(hit);
    }
    // A menu marked `selected` opens by itself, as LINE shows it.
    state.menuOpen = menu.selected;
    if (menu.selected) state.mode = 'menu';
  } else {
    image.removeAttribute('src');
    state.mode = 'keyboard';
  }
  renderBottom();
}

function renderBottom() {
  const status = state.status;
  const blocked = Boolean(status?.blocked);
  const menu = status?.richMenu;
  const menuMode = !blocked && menu && state.mode === 'menu';
  $('#blocked-bar').hidden = !blocked;
  $('#composer').hidden = !status || blocked || menuMode;
  $('#menu-toggle').hidden = !menu;
  $('#chatbar').hidden = !menuMode;
  $('#richmenu').hidden = !(menuMode && state.menuOpen);
  $('#chatbar-text').textContent = menu ? `${menu.chatBarText} ${state.menuOpen ? '▾' : '▴'}` : '';
}

function setMode(mode, menuOpen = state.menuOpen) {
  state.mode = mode;
  state.menuOpen = menuOpen;
  renderBottom();
  if (mode === 'keyboard') $('#message-input').focus();
}

// ------------------------------------------------------------------ doing things

/**
 * Taps an action. `target` names it for the server: `{ action }` for a button in a message,
 * `{ area }` for a rich menu area. Pickers and the location action ask first, as LINE does.
 */
async function tap(action, target) {
  switch (action.type) {
    case 'uri':
      window.open(action.altUri?.desktop ?? action.uri, '_blank', 'noopener');
      return;
    case 'clipboard':
      await navigator.clipboard?.writeText(action.clipboardText ?? '').catch(() => {});
      toast('Copied');
      return;
    case 'camera':
    case 'cameraRoll':
      $('#image-input').click();
      return;
    case 'datetimepicker': {
      const value = await askDate(action);
      if (value) await attempt(() => call('POST', `${userPath()}/tap`, { ...target, value }));
      return;
    }
    case 'location': {
      const location = await askLocation();
      if (location) await attempt(() => call('POST', `${userPath()}/tap`, { ...target, location }));
      return;
    }
    default: {
      const done = await attempt(() => call('POST', `${userPath()}/tap`, target));
      if (done && action.type === 'postback') applyInputOption(action);
    }
  }
}

/** A postback may ask LINE to open the keyboard (with text filled in) or the rich menu. */
function applyInputOption(action) {
  if (action.inputOption === 'openKeyboard') {
    setMode('keyboard');
    if (action.fillInText) $('#message-input').value = action.fillInText;
  } else if (action.inputOption === 'openRichMenu' && state.status.richMenu) {
    setMode('menu', true);
  } else if (action.inputOption === 'closeRichMenu') {
    state.menuOpen = false;
    renderBottom();
  }
}

/** Opens the picker LINE would (date, time or both) and resolves with the value, or null. */
function askDate(action) {
  const dialog = $('#picker-dialog');
  const input = $('#picker-input');
  const mode = action.mode ?? 'datetime';
  input.type = { date: 'date', time: 'time', datetime: 'datetime-local' }[mode] ?? 'datetime-local';
  input.min = action.min ?? '';
  input.max = action.max ?? '';
  input.value = action.initial ?? '';
  $('#picker-title').textContent = action.label ?? 'Choose';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok' ? input.value : null), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    input.focus();
  });
}

function askLocation() {
  const dialog = $('#location-dialog');
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        if (dialog.returnValue !== 'ok') return resolve(null);
        resolve({
          title: $('#location-title').value || undefined,
          address: $('#location-address').value || undefined,
          latitude: Number($('#location-latitude').value),
          longitude: Number($('#location-longitude').value),
        });
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
  });
}

async function sendText(text) {
  if (!text.trim()) return;
  $('#message-input').value = '';
  await attempt(() => call('POST', `${userPath()}/messages`, { type: 'text', text }));
}

async function sendImage(file) {
  const type = file.type === 'image/png' ? 'image/png' : 'image/jpeg';
  await attempt(() => call('POST', `${userPath()}/image`, file, type));
}

async function toggleFollow() {
  const path = state.status.friend ? 'unfollow' : 'follow';
  const done = await attempt(() => call('POST', `${userPath()}/${path}`));
  if (done) applyStatus(done.user);
}

let toastTimer;
function toast(message) {
  const node = $('#toast');
  node.textContent = message;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (node.hidden = true), 5000);
}

// ------------------------------------------------------------------ wiring

function wire() {
  const chat = $('#chat');
  chat.addEventListener('scroll', () => (state.pinned = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 48));
  // The chat shrinks when the rich menu, the quick replies or the keyboard appear: keep its end in view.
  new ResizeObserver(scrollToEnd).observe(chat);
  $('#new-user-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('#new-user-name').value.trim();
    $('#new-user-name').value = '';
    attempt(() => createUser(name));
  });
  $('#follow-button').addEventListener('click', toggleFollow);
  $('#banner-follow-button').addEventListener('click', toggleFollow);
  $('#unblock-button').addEventListener('click', toggleFollow);
  $('#message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sendText($('#message-input').value);
  });
  $('#menu-toggle').addEventListener('click', () => setMode('menu', true));
  $('#keyboard-toggle').addEventListener('click', () => setMode('keyboard'));
  $('#chatbar-text').addEventListener('click', () => {
    state.menuOpen = !state.menuOpen;
    renderBottom();
  });
  $('#attach-button').addEventListener('click', () => ($('#attach-menu').hidden = !$('#attach-menu').hidden));
  $('#attach-menu').addEventListener('click', async (event) => {
    const button = event.target.closest('button');
    if (!button) return;
    $('#attach-menu').hidden = true;
    const kind = button.dataset.attach;
    if (kind === 'image') $('#image-input').click();
    else if (kind === 'sticker') {
      await attempt(() => call('POST', `${userPath()}/messages`, { type: 'sticker', packageId: button.dataset.package, stickerId: button.dataset.sticker }));
    } else if (kind === 'location') {
      const location = await askLocation();
      if (location) await attempt(() => call('POST', `${userPath()}/messages`, { type: 'location', ...location }));
    }
  });
  $('#image-input').addEventListener('change', async (event) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (file) await sendImage(file);
  });
  const tick = () => ($('#clock').textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }));
  tick();
  setInterval(tick, 30_000);
}

async function start() {
  wire();
  state.info = await call('GET', '/info');
  $('#chat-title').textContent = state.info.botName;
  document.title = `${state.info.botName} · LINE emulator`;
  await loadUsers();
  const wanted = new URL(location.href).searchParams.get('user');
  const initial = state.users.find((user) => user.userId === wanted) ?? state.users.at(-1);
  if (initial) selectUser(initial.userId);
  document.body.dataset.ready = 'true';
}

start().catch((error) => toast(error.message));
