/** The fault proxy, published as part of `@procwire/conformance`; this private package keeps its old name for the repo's tests. */
export { type FaultProxy, type FaultProxyOptions, type FaultProxyStats, startFaultProxy } from '@procwire/conformance/fault-proxy';
