export { loadConfig, ConfigError, defaultConfigPath } from './load';
export { roles, serviceRoles, type Config, type Role, type ApiKey, type ServiceRole } from './schema';
