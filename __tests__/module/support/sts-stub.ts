/**
 * A loopback STS that answers GetCallerIdentity, the one AWS call an offline plan of the module
 * makes (`data "aws_caller_identity"`: the account id in the ARNs of the role policy). The
 * answer has the shape of the real one (Query protocol, XML).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const STUB_ACCOUNT_ID = '111122223333';

const RESPONSE = `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::${STUB_ACCOUNT_ID}:user/terraform-test</Arn>
    <UserId>AIDAEXAMPLEUSERID0000</UserId>
    <Account>${STUB_ACCOUNT_ID}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`;

let endpoint: Promise<string> | undefined;

/** The stub's URL; started on first use, on a free port, without keeping the process alive. */
export function stsStubEndpoint(): Promise<string> {
  endpoint ??= new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (!/Action=GetCallerIdentity/.test(body)) {
          response
            .writeHead(400, { 'content-type': 'text/xml' })
            .end('<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>');
          return;
        }
        response.writeHead(200, { 'content-type': 'text/xml' }).end(RESPONSE);
      });
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.unref();
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });
  return endpoint;
}
