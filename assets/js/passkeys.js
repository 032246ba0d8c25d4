/* Passkeys (ADR 0025): the browser side of WebAuthn, for the forms marked data-passkey.
 *
 * A form marked data-passkey="create" (adding a passkey) or "get" (signing in with one) names,
 * in data-passkey-options, the id of a JSON data block holding the options the server made
 * (with py_webauthn's options_to_json: binary values in base64url). On submit, the browser is
 * asked for the credential, which goes back in the hidden "credential" field as JSON, in the
 * shape py_webauthn reads (WebAuthn Level 3's toJSON). Without JavaScript or WebAuthn, the form
 * posts no credential and the server says so.
 */
(function () {
  "use strict";

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var text = atob(base64);
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) {
      bytes[i] = text.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var text = "";
    for (var i = 0; i < bytes.length; i++) {
      text += String.fromCharCode(bytes[i]);
    }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: toBytes(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    var options = JSON.parse(JSON.stringify(json));
    options.challenge = toBytes(json.challenge);
    options.user.id = toBytes(json.user.id);
    options.excludeCredentials = descriptors(json.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = JSON.parse(JSON.stringify(json));
    options.challenge = toBytes(json.challenge);
    options.allowCredentials = descriptors(json.allowCredentials);
    return options;
  }

  function credentialJSON(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: toBase64url(response.clientDataJSON) },
    };
    if (response.attestationObject) {
      json.response.attestationObject = toBase64url(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toBase64url(response.authenticatorData);
      json.response.signature = toBase64url(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toBase64url(response.userHandle);
      }
    }
    return json;
  }

  function wire(form) {
    var mode = form.getAttribute("data-passkey");
    var block = document.getElementById(form.getAttribute("data-passkey-options"));
    var status = form.querySelector("[data-passkey-status]");
    var field = form.querySelector("input[name=credential]");
    if (!block || !field) {
      return;
    }
    if (!window.PublicKeyCredential || !navigator.credentials) {
      if (status) {
        status.textContent = "This browser cannot use passkeys. Use another way, or another browser.";
      }
      return;
    }
    var options = JSON.parse(block.textContent);
    form.addEventListener("submit", function (event) {
      if (field.value) {
        return; // the credential is in: let the form go
      }
      var name = form.querySelector("input[name=name]");
      if (name && !name.value.trim()) {
        return; // the server asks for the name first; no passkey is made without one
      }
      event.preventDefault();
      if (status) {
        status.textContent = "Follow your browser's instructions to use your passkey.";
      }
      var asked = mode === "create"
        ? navigator.credentials.create({ publicKey: creationOptions(options) })
        : navigator.credentials.get({ publicKey: requestOptions(options) });
      asked.then(function (credential) {
        field.value = JSON.stringify(credentialJSON(credential));
        if (status) {
          status.textContent = "Checking your passkey…";
        }
        form.submit();
      }).catch(function (error) {
        if (status) {
          status.textContent = error && error.name === "NotAllowedError"
            ? "The passkey was not used: it was cancelled or took too long. Try again."
            : "The passkey did not work here. Try again, or use another way.";
        }
      });
    });
  }

  function start() {
    var forms = document.querySelectorAll("form[data-passkey]");
    for (var i = 0; i < forms.length; i++) {
      wire(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
