Feature: A health gate waits for a check to settle
  Scenario: Restart, then wait for the application
    Given I want to update hosts with class roles::dev_server
    And I want to update hosts with fact country=de
    And I retry checks every 1 second
    When I restart the service httpd
    And I wait 1 second
    Then within 2 minutes the nrpe check check_settling should pass
    And within 30 seconds the service httpd should be running
