/* The upload cap, checked in the browser before anything is sent.
 *
 * A file input with data-max-bytes (set by the form from EVIDENCE_MAX_MB) is checked when a file
 * is chosen: a file over the cap is taken off the input (so the form cannot send it) and a message
 * says why, next to the input. Nothing else in the form is touched, so what was typed stays.
 * The server refuses an oversized request anyway (HTTP 413); this only spares the wait. */
(function () {
  "use strict";

  function megabytes(bytes) {
    return (bytes / 1048576).toFixed(1).replace(".", ",");
  }

  function messageBox(input) {
    var id = input.id + "-too-large";
    var box = document.getElementById(id);
    if (!box) {
      box = document.createElement("div");
      box.id = id;
      box.className = "invalid-feedback d-block upload-too-large";
      box.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", box);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    return box;
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.dataset.maxBytes) {
      return;
    }
    var limit = parseInt(input.dataset.maxBytes, 10);
    var tooLarge = Array.prototype.filter.call(input.files || [], function (file) { return file.size > limit; });
    var box = messageBox(input);
    if (tooLarge.length) {
      box.textContent = (input.dataset.tooLarge || "")
        .replace("{name}", tooLarge[0].name)
        .replace("{size}", megabytes(tooLarge[0].size));
      box.hidden = false;
      input.value = "";
      input.classList.add("is-invalid");
    } else {
      box.textContent = "";
      box.hidden = true;
      input.classList.remove("is-invalid");
    }
  });
})();
