import SIPASCommands
SipasCommand.runMain()
