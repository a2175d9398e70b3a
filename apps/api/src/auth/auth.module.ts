import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { factoryProvider, JWT_SECRET_KEY, SIGNING_SECRET } from '../common/tokens';
import { MailModule } from '../mail/mail.module';
import { AccessTokenService } from './access-token.service';
import { AccountEmailService } from './account-email.service';
import { ApiKeyGuard } from './api-keys/api-key.guard';
import { ApiKeyStrategy } from './api-keys/api-key.strategy';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { AUTH_STRATEGIES } from './auth-strategy';
import { BearerJwtStrategy } from './bearer-jwt.strategy';
import { JwtAuthGuard } from './jwt-auth.guard';
import { MfaService } from './mfa/mfa.service';
import { MfaTokenService } from './mfa/mfa-token.service';
import { AuthRateLimitGuard } from './rate-limit/auth-rate-limit.guard';
import { RolesGuard } from './roles/roles.guard';

/**
 * Accounts, sessions, API-key authentication and the global auth guards. Importing this module protects every route
 * of the app (APP_GUARD); mark open routes with `@Public()`, open them to API keys with `@RequireScope(...)`, limit
 * them to roles with `@Roles(...)` (RolesGuard) and read the caller with `@CurrentUser()`.
 */
@Module({
  imports: [MailModule],
  controllers: [AuthController],
  providers: [
    factoryProvider(JWT_SECRET_KEY, (secret: string) => new TextEncoder().encode(secret), [SIGNING_SECRET]),
    AccessTokenService,
    BearerJwtStrategy,
    ApiKeyStrategy,
    // Order matters: the first strategy that recognises the request's credentials decides. API keys go first: they
    // claim only `X-API-Key` and bearer tokens with the key prefix, and leave every JWT to the next.
    factoryProvider(AUTH_STRATEGIES, (keys: ApiKeyStrategy, jwt: BearerJwtStrategy) => [keys, jwt], [
      ApiKeyStrategy,
      BearerJwtStrategy,
    ]),
    AuthService,
    MfaTokenService,
    MfaService,
    AccountEmailService,
    AuthRateLimitGuard,
    // Global guards run in registration order: authentication first, then what an API key may reach (and its
    // quota), then the roles it established.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AccessTokenService, AUTH_STRATEGIES, AuthService, MfaService],
})
export class AuthModule {}
