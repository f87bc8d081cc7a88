export { loadConfig, ConfigError, defaultConfigPath } from './load';
export { roles, serviceRoles, webhookSecretPrefix, type Config, type Role, type ApiKey, type ServiceRole } from './schema';
