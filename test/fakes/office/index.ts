export * from './office-host';
