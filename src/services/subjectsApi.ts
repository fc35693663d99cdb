// GDPR erasure (pkg/plugin/subjects.go): an Admin erases a data subject by user id or e-mail.
import { sendResource } from './backendApi';

export interface Erasure {
  /** The subject's reference in the trail (not an identity). */
  subjectRef: string;
  jobsScrubbed: number;
  filesDeleted: number;
}

export const eraseSubject = (subject: string) => sendResource<Erasure>('POST', 'subjects/erase', { subject });
