/** Shared by the ORIGIN check tests (one file per check id): the usual weak-server audit, as it is. */
export { auditWeak as audit } from '../../harness.js';
