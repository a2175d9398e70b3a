import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { factoryProvider, JWT_SECRET_KEY, SIGNING_SECRET } from '../common/tokens';
import { MailModule } from '../mail/mail.module';
import { AccessTokenService } from './access-token.service';
import { AccountEmailService } from './account-email.service';
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
 * Accounts, sessions and the global auth guard. Importing this module protects every route of the app
 * (APP_GUARD); mark open routes with `@Public()`, limit them to roles with `@Roles(...)` (RolesGuard) and read
 * the caller with `@CurrentUser()`.
 */
@Module({
  imports: [MailModule],
  controllers: [AuthController],
  providers: [
    factoryProvider(JWT_SECRET_KEY, (secret: string) => new TextEncoder().encode(secret), [SIGNING_SECRET]),
    AccessTokenService,
    BearerJwtStrategy,
    // Order matters: the first strategy that recognises the request's credentials decides.
    factoryProvider(AUTH_STRATEGIES, (jwt: BearerJwtStrategy) => [jwt], [BearerJwtStrategy]),
    AuthService,
    MfaTokenService,
    MfaService,
    AccountEmailService,
    AuthRateLimitGuard,
    // Global guards run in registration order: authentication first, then the roles it established.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [AccessTokenService, AUTH_STRATEGIES, AuthService, MfaService],
})
export class AuthModule {}
