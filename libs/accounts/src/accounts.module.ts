import { Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { AccountsRepository } from './accounts.repository';
import { AccountsService } from './accounts.service';
import { LoginLimiter } from './login-limiter';
import { TokenService } from './token.service';

@Module({
  imports: [JwtModule.register({})],
  providers: [AccountsRepository, AccountsService, TokenService, LoginLimiter],
  exports: [AccountsService, TokenService, LoginLimiter],
})
export class AccountsModule {}
