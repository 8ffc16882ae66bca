export * from './is-transient-fault';
