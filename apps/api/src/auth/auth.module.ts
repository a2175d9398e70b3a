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
import { AuthRateLimitGuard } from './rate-limit/auth-rate-limit.guard';

/**
 * Accounts, sessions and the global auth guard. Importing this module protects every route of the app
 * (APP_GUARD); mark open routes with `@Public()` and read the caller with `@CurrentUser()`.
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
    AccountEmailService,
    AuthRateLimitGuard,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AccessTokenService, AUTH_STRATEGIES],
})
export class AuthModule {}
