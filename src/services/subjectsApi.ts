// GDPR erasure (pkg/plugin/subjects.go): an Admin erases a data subject by user id or e-mail.
import { sendResource } from './backendApi';

export interface Erasure {
  /** The erasure's id in the trail: its record names neither the person nor their subject reference. */
  erasureId: string;
  jobsScrubbed: number;
  filesDeleted: number;
}

export const eraseSubject = (subject: string) => sendResource<Erasure>('POST', 'subjects/erase', { subject });
