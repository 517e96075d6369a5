/** The scripts' free-port helper, for the tests that start a process on a port of their own. */
export { freePort } from '../../scripts/free-port';
