import { Module } from '@nestjs/common';

import { PrivacyService } from './privacy.service';
import { UserController } from './user.controller';
import { UserService } from './user.service';

@Module({ controllers: [UserController], providers: [UserService, PrivacyService], exports: [UserService] })
export class UserModule {}
