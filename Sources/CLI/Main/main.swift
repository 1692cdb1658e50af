import SIPASCommands
SipasCommand.main()
