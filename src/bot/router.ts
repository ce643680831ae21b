/**
 * Routing as a lookup table: (input, whether a flow is active) → what to do. No flow logic
 * here; the engine carries the decision out.
 */
import type { UserInput } from './flow.js';
import type { FeatureId } from './postback.js';

export type Route =
  | { kind: 'cancel' }
  | { kind: 'setLanguage'; locale: 'th' | 'en' }
  | { kind: 'feature'; feature: FeatureId; param?: string }
  | { kind: 'continue' }
  | { kind: 'help' }
  /** Typed "help" while a flow waits: show help, keep the flow. */
  | { kind: 'helpInFlow' };

const cancelWords = new Set(['ยกเลิก', 'cancel', 'stop', 'หยุด']);

/** Typed words that open a feature when no flow is waiting for an answer. */
const keywords: Record<string, FeatureId> = {
  ลงทะเบียน: 'register',
  register: 'register',
  สมัคร: 'register',
  ช่วยเหลือ: 'help',
  help: 'help',
  เมนู: 'help',
  menu: 'help',
  สวัสดี: 'help',
  hello: 'help',
  hi: 'help',
  ข้อมูลของฉัน: 'profile',
  profile: 'profile',
  ภาษา: 'language',
  language: 'language',
  จองวัคซีน: 'book',
  book: 'book',
  นัดหมาย: 'appointments',
  นัดหมายของฉัน: 'appointments',
  appointments: 'appointments',
  ประเมินความเสี่ยง: 'screening',
  คัดกรอง: 'screening',
  screening: 'screening',
  ใบรับรอง: 'certificate',
  certificate: 'certificate',
  แจ้งอาการ: 'symptoms',
  symptoms: 'symptoms',
};

export function route(input: UserInput, flowActive: boolean): Route {
  if (input.kind === 'postback') {
    const p = input.payload;
    if (p.a === 'cancel') return { kind: 'cancel' };
    if (p.a === 'lang') return { kind: 'setLanguage', locale: p.l };
    if (p.a === 'menu') return p.p === undefined ? { kind: 'feature', feature: p.f } : { kind: 'feature', feature: p.f, param: p.p };
  }
  if (input.kind === 'text') {
    const word = input.text.trim().toLowerCase();
    if (cancelWords.has(word)) return { kind: 'cancel' };
    if (Object.hasOwn(keywords, word)) {
      const feature = keywords[word]!;
      // Inside a flow a typed word is an answer (a name can be anything), except a plain
      // call for help, which must never be saved as someone's name.
      if (!flowActive) return { kind: 'feature', feature };
      if (feature === 'help') return { kind: 'helpInFlow' };
    }
  }
  return flowActive ? { kind: 'continue' } : { kind: 'help' };
}

/** Which flow a feature starts; features without one answer with a message (see engine). */
export const featureFlows: Partial<Record<FeatureId, string>> = {
  register: 'registration',
  family: 'family-registration',
  profile: 'profile',
  screening: 'screening',
  book: 'booking',
  appointments: 'appointments',
  certificate: 'certificate',
  symptoms: 'symptom-report',
};

/** Features that later issues build; until their flow is registered they answer "coming soon". */
export const comingSoonFeatures: ReadonlySet<FeatureId> = new Set(['screening', 'book', 'appointments', 'symptoms', 'certificate']);
