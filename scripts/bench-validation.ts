/**
 * Micro-benchmark for the LINE request validator: how many typical Flex replies per second
 * `validateLineRequest` handles. The emulator validates every message it receives, so this
 * should stay well above ~5,000/s. Run: `npx tsx scripts/bench-validation.ts [seconds]`.
 * Prints numbers only; nothing here asserts on timing.
 */
import { performance } from 'node:perf_hooks';
import { validateLineRequest } from '../src/line/validation/index.js';

/** A booking-confirmation style bubble: hero image, a few text rows, two buttons, quick replies. */
function typicalFlexReply(): unknown {
  const row = (label: string, value: string) => ({
    type: 'box',
    layout: 'baseline',
    spacing: 'sm',
    contents: [
      { type: 'text', text: label, color: '#aaaaaa', size: 'sm', flex: 2 },
      { type: 'text', text: value, wrap: true, color: '#666666', size: 'sm', flex: 5 },
    ],
  });
  return {
    replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
    messages: [
      {
        type: 'flex',
        altText: 'นัดหมายของคุณได้รับการยืนยันแล้ว',
        contents: {
          type: 'bubble',
          hero: {
            type: 'image',
            url: 'https://example.com/hero.png',
            size: 'full',
            aspectRatio: '20:13',
            aspectMode: 'cover',
          },
          body: {
            type: 'box',
            layout: 'vertical',
            contents: [
              { type: 'text', text: 'ยืนยันการนัดหมาย', weight: 'bold', size: 'xl' },
              { type: 'separator', margin: 'md' },
              {
                type: 'box',
                layout: 'vertical',
                margin: 'lg',
                spacing: 'sm',
                contents: [row('วันที่', '12 ก.ค. 2026'), row('เวลา', '09:30'), row('แผนก', 'อายุรกรรม')],
              },
            ],
          },
          footer: {
            type: 'box',
            layout: 'vertical',
            spacing: 'sm',
            contents: [
              { type: 'button', style: 'primary', action: { type: 'postback', label: 'ยืนยัน', data: '{"a":"ans","s":"confirm","v":"yes"}' } },
              { type: 'button', style: 'link', action: { type: 'uri', label: 'โทรหาเรา', uri: 'tel:+6621234567' } },
            ],
          },
        },
        quickReply: {
          items: [
            { type: 'action', action: { type: 'postback', label: 'เมนู', data: '{"a":"menu","f":"help"}' } },
            { type: 'action', action: { type: 'message', label: 'ยกเลิก', text: 'ยกเลิก' } },
          ],
        },
      },
    ],
  };
}

function bench(label: string, seconds: number, run: () => void): void {
  for (let i = 0; i < 2_000; i++) run(); // warm up ajv's compiled code and the JIT
  let iterations = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  while (performance.now() < deadline) {
    for (let i = 0; i < 500; i++) run();
    iterations += 500;
  }
  const elapsedSeconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${Math.round(iterations / elapsedSeconds).toLocaleString('en-US')} validations/s`);
}

const seconds = Number(process.argv[2] ?? 2);
const body = typicalFlexReply();
const issues = validateLineRequest('reply', body);
if (issues.length > 0) throw new Error(`benchmark message is invalid: ${JSON.stringify(issues)}`);

bench('reply with a typical flex bubble (valid)', seconds, () => validateLineRequest('reply', body));
const invalid = structuredClone(body) as { messages: Array<{ altText?: string }> };
delete invalid.messages[0]!.altText;
bench('same reply missing altText (1 issue)', seconds, () => validateLineRequest('reply', invalid));
