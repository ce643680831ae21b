// The /verify page: sends pasted or scanned QR content to POST /api/verify and shows the
// verdict in Thai and English. Scanning: camera frames drawn on a canvas, decoded by jsQR.
(function () {
  'use strict';
  var STATUS = {
    valid: ['ใช้ได้ ลายมือชื่อถูกต้อง', 'Valid: genuine signature', 'valid'],
    revoked: ['ถูกเพิกถอนแล้ว', 'Revoked by the issuer', 'bad'],
    expired: ['หมดอายุแล้ว', 'Expired', 'warn'],
    'not-yet-valid': ['ยังไม่ถึงวันที่มีผล', 'Not valid yet', 'warn'],
    invalid: ['ไม่ถูกต้อง', 'Not valid', 'bad'],
    malformed: ['อ่านข้อมูลไม่ได้', 'Unreadable content', 'bad'],
  };
  var SIGNATURE = {
    valid: ['ลายมือชื่อถูกต้อง', 'signature valid'],
    invalid: ['ลายมือชื่อไม่ถูกต้อง', 'signature invalid'],
    'unknown-key': ['ไม่รู้จักผู้ออกใบรับรอง', 'unknown issuer key'],
  };
  var $ = function (id) { return document.getElementById(id); };

  function both(pair) { return pair[0] + ' / ' + pair[1]; }

  function row(list, label, value) {
    var dt = document.createElement('dt');
    dt.textContent = label;
    var dd = document.createElement('dd');
    dd.textContent = value;
    list.appendChild(dt);
    list.appendChild(dd);
  }

  function show(result) {
    var box = $('verdict');
    var status = STATUS[result.status] || STATUS.invalid;
    box.className = status[2];
    box.style.display = 'block';
    $('verdict-title').textContent = both(status);
    $('verdict-reason').textContent = result.reason || '';
    var list = $('verdict-details');
    list.textContent = '';
    if (result.format) row(list, 'รูปแบบ / Format', result.format === 'shc' ? 'SMART Health Card' : 'EU DCC');
    if (result.signature) row(list, 'ลายมือชื่อ / Signature', both(SIGNATURE[result.signature] || [result.signature, result.signature]));
    if (result.issuer) row(list, 'ผู้ออก / Issuer', result.issuer);
    if (result.subject) {
      row(list, 'ชื่อ / Name', result.subject.name);
      row(list, 'วันเกิด / Date of birth', result.subject.birthDate);
      (result.subject.doses || []).forEach(function (dose, i) {
        var label = 'เข็ม / Dose ' + (dose.doseNumber || i + 1) + (dose.totalDoses ? '/' + dose.totalDoses : '');
        row(list, label, dose.date + ' · ' + dose.product + (dose.lot ? ' · lot ' + dose.lot : ''));
      });
    }
  }

  function verify(content) {
    if (!content.trim()) return;
    fetch('/api/verify', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: content.trim() }) })
      .then(function (res) { return res.json(); })
      .then(function (body) {
        if (body.status && body.title === undefined) return show(body);
        show({ status: 'malformed', reason: body.detail || body.title });
      })
      .catch(function () { show({ status: 'invalid', reason: 'ติดต่อเซิร์ฟเวอร์ไม่ได้ / Could not reach the server' }); });
  }

  $('check').addEventListener('click', function () { verify($('content').value); });

  var stream = null;
  function stop() {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    $('video').style.display = 'none';
  }

  $('scan').addEventListener('click', function () {
    if (stream) return stop();
    $('camera-error').textContent = '';
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.jsQR !== 'function') {
      $('camera-error').textContent = 'เบราว์เซอร์นี้ใช้กล้องไม่ได้ (ต้องใช้ https) / This browser cannot use the camera here (https is required)';
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (s) {
      stream = s;
      var video = $('video');
      video.srcObject = s;
      video.style.display = 'block';
      video.play();
      var canvas = document.createElement('canvas');
      var context = canvas.getContext('2d', { willReadFrequently: true });
      (function tick() {
        if (!stream) return;
        if (video.readyState === video.HAVE_ENOUGH_DATA) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
          if (code && code.data) {
            stop();
            $('content').value = code.data;
            return verify(code.data);
          }
        }
        requestAnimationFrame(tick);
      })();
    }).catch(function () {
      $('camera-error').textContent = 'ไม่ได้รับอนุญาตให้ใช้กล้อง / Camera permission was refused';
    });
  });
})();
