import SIPASModel
