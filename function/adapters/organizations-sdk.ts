/**
 * The Organizations part of the SDK that sg-sentry uses (the sweep's account list), in a module
 * of its own so that it is loaded with `require` on first use and the rest of the client is
 * tree-shaken away.
 */
export { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
