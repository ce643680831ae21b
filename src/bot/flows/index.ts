/** Every flow the engine knows. Add a flow here and route a feature to it in router.ts. */
import type { AnyFlow } from '../flow.js';
import { registrationFlow, familyRegistrationFlow } from './registration.flow.js';
import { profileFlow } from './profile.flow.js';
import { screeningFlow } from './screening.flow.js';
import { appointmentsFlow } from './appointments.flow.js';
import { bookingFlow } from './booking.flow.js';
import { certificateFlow } from './certificate.flow.js';
import { symptomReportFlow } from './symptom-report.flow.js';

export const allFlows: AnyFlow[] = [registrationFlow, familyRegistrationFlow, profileFlow, screeningFlow, appointmentsFlow, bookingFlow, certificateFlow, symptomReportFlow];
