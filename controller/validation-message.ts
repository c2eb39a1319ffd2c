/** "invalid spec: spec.timeRange.startTime: must be before endTime; …" */
export function validationMessage(errors: readonly { field: string; message: string }[]): string {
  return `invalid spec: ${errors.map((e) => (e.message.includes(e.field) ? e.message : `${e.field}: ${e.message}`)).join('; ')}`;
}
