/** A Kubernetes Event about a ReindexJob, before it is recorded. */
export interface JobEvent {
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
}
