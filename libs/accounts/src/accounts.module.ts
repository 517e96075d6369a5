import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { LoginLimiter } from './login-limiter';
import { TokenService } from './token.service';
import { WebSessionsService } from './web-sessions.service';

@Module({
  imports: [JwtModule.register({})],
  providers: [AccountsRepository, AccountsService, TokenService, LoginLimiter, WebSessionsService],
  exports: [AccountsService, TokenService, LoginLimiter, WebSessionsService],
})
export class AccountsModule {}
