import { describeBrokerContract } from '../../../test-support/server/broker-contract'
import { createLocalBroker } from './local-broker'

describeBrokerContract('in-process (local-broker)', (deliver) => createLocalBroker(deliver))
