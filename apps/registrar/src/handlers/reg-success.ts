import { registration } from '@fife/api';
import { handler } from '@fife/bus';
import type { RegistrationService } from '../services/registrations.js';

/** Resolves (and so acks) once CouchDB holds the binding; the SIP 200 OK was sent long before. */
export const regSuccessHandler = (registrations: RegistrationService) =>
  handler(registration.success, (msg) => registrations.record(msg));
