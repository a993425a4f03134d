/** An error shaped like the AWS SDK's service exceptions (name = error code, fault, HTTP status). */
export function awsError(name: string, fault: 'client' | 'server', status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}
