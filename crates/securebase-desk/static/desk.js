// The review desk's passkey ceremonies: sign in, register a passkey, and
// sign a decision. The server hands out each challenge and checks each
// answer; this script only carries them between it and the authenticator.
'use strict';

const b64url = {
  encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = '';
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  decode(text) {
    const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  },
};

function say(text, kind) {
  const status = document.getElementById('status');
  if (!status) return;
  status.textContent = text;
  status.dataset.kind = kind || 'info';
}

async function post(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const json = await response.json().catch(() => ({ error: `the desk answered ${response.status}` }));
  if (!response.ok) {
    const error = new Error(json.error || `the desk answered ${response.status}`);
    error.code = json.code;
    throw error;
  }
  return json;
}

function answer(id, credential) {
  const r = credential.response;
  return {
    id,
    authenticatorData: b64url.encode(r.authenticatorData),
    clientDataJSON: b64url.encode(r.clientDataJSON),
    signature: b64url.encode(r.signature),
    userHandle: r.userHandle ? b64url.encode(r.userHandle) : null,
  };
}

async function signIn(button) {
  button.disabled = true;
  try {
    say('Waiting for your passkey…');
    const begin = await post('/api/sign-in/begin', {});
    const credential = await navigator.credentials.get({
      publicKey: { challenge: b64url.decode(begin.challenge), rpId: begin.rpId, userVerification: 'preferred' },
    });
    const done = await post('/api/sign-in/finish', answer(begin.id, credential));
    window.location.assign(done.redirect || '/');
  } catch (e) {
    say(`Not signed in: ${e.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function enrol(button) {
  button.disabled = true;
  try {
    say('Waiting for your passkey…');
    const begin = await post('/api/enrol/begin', { invitation: button.dataset.invitation });
    const credential = await navigator.credentials.create({
      publicKey: {
        challenge: b64url.decode(begin.challenge),
        rp: begin.rp,
        user: { id: b64url.decode(begin.user.id), name: begin.user.name, displayName: begin.user.displayName },
        pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
        attestation: 'none',
      },
    });
    const done = await post('/api/enrol/finish', {
      id: begin.id,
      clientDataJSON: b64url.encode(credential.response.clientDataJSON),
      publicKey: b64url.encode(credential.response.getPublicKey()),
    });
    say(done.message, 'done');
    const line = document.getElementById('key-line');
    line.textContent = done.keyLine;
    line.hidden = false;
  } catch (e) {
    say(`Not registered: ${e.message}`, 'error');
    button.disabled = false;
  }
}

async function decide(form, decision) {
  const text = form.querySelector('textarea').value;
  if (!text.trim()) {
    say(decision === 'approved' ? 'Say what this version changed.' : 'Say what must change.', 'error');
    return;
  }
  const buttons = form.querySelectorAll('button');
  buttons.forEach((b) => { b.disabled = true; });
  try {
    say('Waiting for your passkey…');
    const begin = await post('/api/decide/begin', {
      subject: form.dataset.subject,
      blob: form.dataset.blob,
      sha256: form.dataset.sha256,
      ledger: form.dataset.ledger,
      decision,
      text,
    });
    const credential = await navigator.credentials.get({
      publicKey: { challenge: b64url.decode(begin.challenge), rpId: begin.rpId, userVerification: 'preferred' },
    });
    const done = await post('/api/decide/finish', answer(begin.id, credential));
    say(`Done: ${done.message}`, 'done');
  } catch (e) {
    say(`Nothing was recorded: ${e.message}`, 'error');
    buttons.forEach((b) => { b.disabled = false; });
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const signInButton = document.getElementById('sign-in');
  if (signInButton) signInButton.addEventListener('click', () => signIn(signInButton));
  const enrolButton = document.getElementById('enrol');
  if (enrolButton) enrolButton.addEventListener('click', () => enrol(enrolButton));
  const form = document.getElementById('decide');
  if (form) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const decision = event.submitter ? event.submitter.value : 'approved';
      decide(form, decision);
    });
  }
});
