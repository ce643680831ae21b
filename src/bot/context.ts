/** What a flow step can see and use while it handles one event. */
import type { AlternativesCache } from '../domain/booking/alternatives-cache.js';
import type { Db, PrismaClient } from '../db/client.js';
import type { Locale, Translate } from '../i18n/index.js';
import type { PersonalDataCipher } from '../shared/personal-data.js';
import type { PopulationRegister } from '../domain/identity/population-register.js';
import type { RateLimiter } from '../shared/rate-limiter.js';
import type { AppointmentLinkSigner } from '../domain/booking/appointment-links.js';
import type { CertificateServices } from '../domain/certificates/certificate-services.js';

export interface BotSettings {
  consentVersion: string;
  exportLinkTtlMinutes: number;
  publicBaseUrl: string;
}

/** Long-lived collaborators, created once by the composition root. */
export interface BotServices {
  cipher: PersonalDataCipher;
  register: PopulationRegister;
  identityLimiter: RateLimiter;
  settings: BotSettings;
  /** Signs the QR and calendar links of appointment cards (src/domain/booking/appointment-links.ts). */
  appointmentLinks: AppointmentLinkSigner;
  /** Certificate keys and the signed links of certificate cards (issue 5). */
  certificates: CertificateServices;
  /**
   * The root client, outside the event's transaction: only for a write that commits alone by
   * design (a booking holds its slot's row for one statement: book-appointment.ts).
   */
  rootDb: PrismaClient;
  /** Shares alternative-slot searches between people who find the same slot full (optional). */
  bookingAlternatives?: AlternativesCache;
}

export interface BotContext {
  lineUserId: string;
  locale: Locale;
  t: Translate;
  now: Date;
  /** The transaction this event is processed in: state, domain writes and outbox commit together. */
  db: Db;
  services: BotServices;
  /** Changes the user's language for this and later messages. */
  setLocale(locale: Locale): void;
}
